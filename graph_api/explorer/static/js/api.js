// The API as any frontend sees it: GraphQL over POST /graphql and the GeoJSON layers under /geojson/.

class ApiError extends Error {
  constructor(message, errors = []) {
    super(message);
    this.name = "ApiError";
    this.errors = errors;
  }
}

export async function graphql(query, variables = {}) {
  const response = await fetch("/graphql", {
    method: "POST",
    headers: { "Content-Type": "application/json", Accept: "application/graphql-response+json, application/json" },
    body: JSON.stringify({ query, variables }),
  });
  const body = await response.json().catch(() => null);
  if (body?.errors?.length) {
    throw new ApiError(body.errors.map((error) => error.message).join("; "), body.errors);
  }
  if (!response.ok || !body) {
    throw new ApiError(`${response.status} ${response.statusText}`);
  }
  return body.data;
}

export async function geojson(path, params = {}) {
  const query = new URLSearchParams(params).toString();
  const response = await fetch(`/geojson/${path}${query ? `?${query}` : ""}`);
  if (!response.ok) {
    const body = await response.json().catch(() => null);
    throw new ApiError(body?.error?.message ?? `${response.status} ${response.statusText}`);
  }
  return response.json();
}
