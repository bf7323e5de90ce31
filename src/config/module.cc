// Module config: sources land here.
