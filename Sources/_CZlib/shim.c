// zlib is linked from the system; this target only carries its declarations.
#include "czlib.h"
