"""问题整改台账: the problem ledger."""
