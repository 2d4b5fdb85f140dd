"""The article's bad example: a script whose dependency is installed after `COPY . .`."""
from tabulate import tabulate

ROWS = [("apt lists", "removed"), ("pip cache", "not kept"), ("layers", "fewer")]

print(tabulate(ROWS, headers=("what", "after the fix")))
