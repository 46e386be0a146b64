"""Generated contract artifacts (JSON); see manifest.json. Do not edit the JSON by hand."""
