{ from: 'lib2' }
