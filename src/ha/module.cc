// Module ha: sources land here.
