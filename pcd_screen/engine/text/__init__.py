"""The text layer: free text read as sentences, lemmas and concept frames, with negation.

One job per module:
  tokens.py     folding and word tokens with their character offsets
  sentences.py  sentence splitting (offsets kept)
  language.py   cheap language detection (stop-word counts), only when not given
  lemmas.py     inflected form -> lemma tables per language (generated at build time, lazy)
  frames.py     concept frames over lemmas with roles, negation and hedges; the matcher
  reader.py     a proposal's free-text fields -> located sentences -> frame hits, quoted
"""
