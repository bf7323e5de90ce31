// Module dcs: sources land here.
