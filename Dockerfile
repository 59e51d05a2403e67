# The API and its command line, with the seeds; see compose.yaml for running it beside Neo4j.
FROM python:3.11-slim

WORKDIR /app
COPY pyproject.toml README.md LICENSE ./
COPY graph_api graph_api
COPY loaders loaders
COPY seeds seeds
RUN pip install --no-cache-dir . && useradd --system --no-create-home graph-api \
    && mkdir /app/data /app/cache && chown graph-api /app/data /app/cache

# The embedded store's data folder (imports) is a volume: it outlives the container; the cache of what is derived
# from the seeds (the gazetteer) is the container's own, built at its first start
ENV GRAPH_API_SEEDS=/app/seeds \
    GRAPH_API_DATA=/app/data \
    GRAPH_API_CACHE=/app/cache \
    GRAPH_API_HOST=0.0.0.0 \
    GRAPH_API_PORT=8000
VOLUME /app/data
USER graph-api
EXPOSE 8000
CMD ["graph-api", "serve"]
