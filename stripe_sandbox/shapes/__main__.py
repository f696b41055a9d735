"""`python -m stripe_sandbox.shapes`: regenerate shapes.json from the installed stripe-python."""

import sys

from .generate import write_shapes

if __name__ == "__main__":
    write_shapes()
    sys.stdout.write("wrote stripe_sandbox/shapes.json\n")
