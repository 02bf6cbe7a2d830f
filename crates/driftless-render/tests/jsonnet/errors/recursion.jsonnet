local f(n) = 1 + f(n + 1);
{ x: f(0) }
