{ suffix: '-local' }
