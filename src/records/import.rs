//! Records: import (being filled).
