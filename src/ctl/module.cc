// Module ctl: sources land here.
