#include <Cbc_C_Interface.h>
