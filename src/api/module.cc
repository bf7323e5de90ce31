// Module api: sources land here.
