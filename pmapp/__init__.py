# The release this code is, or comes before (CHANGELOG.md; releases are tagged vX.Y.Z).
__version__ = "0.10.0.dev0"
