"""The Alma-compatible API's handlers: courses, and the reading lists, citations,
owners and tags under them."""
