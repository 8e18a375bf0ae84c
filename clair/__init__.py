"""clair: a static site generator for bilingual plain-language publications; clair/pipeline.py chains its stages."""
