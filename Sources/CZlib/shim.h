// zlib as Debian ships it (zlib1g-dev): used to read and write gzip files.
#include <zlib.h>
