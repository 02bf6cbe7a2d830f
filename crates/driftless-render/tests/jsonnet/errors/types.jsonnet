local n = 5;
{ a: n - 'x' }
