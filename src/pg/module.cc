// Module pg: sources land here.
