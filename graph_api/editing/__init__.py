"""Partners' edits through the API: each one validated by the importers' rules, allowed by `graph_api.auth`,
written whole with its audit and its versions checked (`writer`), and told to open maps (`graph_api.live`)."""
