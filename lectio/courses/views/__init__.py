"""Institution data pages for administrators: loader uploads, their jobs, API keys."""
