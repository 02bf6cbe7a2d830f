{ from: 'corpus' }
