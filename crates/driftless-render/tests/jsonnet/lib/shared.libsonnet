{ from: 'lib' }
