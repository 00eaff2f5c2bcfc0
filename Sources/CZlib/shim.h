// The system zlib: inflate for deflated members of .npz archives.
#include <zlib.h>
