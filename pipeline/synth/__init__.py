"""Synthetic Form 45 / Form 47 pages with exact ground truth (`tallyscope synth`).

The measuring stick of the project: printed forms drawn from the templates, figures
written with real handwritten digits (the GENERATOR split of `pipeline.digitdata`),
stamps, signatures and thumb impressions, capture conditions from flatbed scans to phone
photos, and the irregularities observers reported, each recorded in the truth.
"""

from pipeline.synth.corpus import Manifest, generate_corpus

__all__ = ["Manifest", "generate_corpus"]
