{ from: 'lib2-shadow' }
