"""The static files storage of a server (DEBUG off): WhiteNoise's compressed files with
hashed names, whose JavaScript modules import each other by their hashed names too."""

from whitenoise.storage import CompressedManifestStaticFilesStorage


class StaticFilesStorage(CompressedManifestStaticFilesStorage):
    # The checklist page's script is native modules (static/js/checklist/): each `import`
    # names the file with its hash, so a new release never mixes modules of two releases.
    support_js_module_import_aggregation = True
