local x = 3;
{ a: x(1) }
