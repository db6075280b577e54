"""The compiler's back ends, for tests that run against each: "c" skips where no C compiler is found."""

import pytest
from system_programs import requires_c_compiler

BACKENDS = ["python", pytest.param("c", marks=requires_c_compiler)]
