"""clair: a static site generator for bilingual plain-language public-service publications."""
