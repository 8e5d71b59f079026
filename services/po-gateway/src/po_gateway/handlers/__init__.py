"""Use cases; the API and the consumers call these (API use cases commit, consumer ones
leave the commit to the consumer loop)."""
