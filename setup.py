"""Build hook for the compiled params kernel; all other metadata is in pyproject.toml.

``optional=True``: if the C compiler is missing the install still succeeds and ``reward_sdk.geometry`` uses its
numpy form (same results, about 5x slower).
"""

from setuptools import Extension, setup

setup(
    ext_modules=[
        Extension(
            "reward_sdk._geometry_kernel",
            ["reward_sdk/_geometry_kernel.pyx"],
            optional=True,
            # errno is never read, so libm calls (sqrt, sin, cos) may be inlined
            extra_compile_args=["-O3", "-fno-math-errno"],
        )
    ]
)
