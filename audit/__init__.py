"""advaudit front door: the judge, the runner, ledgers and the command line."""
