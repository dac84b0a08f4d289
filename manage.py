#!/usr/bin/env python
from lectio.cli import main

if __name__ == "__main__":
    main()
