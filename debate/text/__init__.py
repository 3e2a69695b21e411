"""Words: languages and locale formatting, the words for refusal codes, name sorting, regions."""
