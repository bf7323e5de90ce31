// Module agent: sources land here.
