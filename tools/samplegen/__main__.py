import sys

from tools.samplegen.generator import main

sys.exit(main())
