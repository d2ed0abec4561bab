// Adds DOM matchers (toBeInTheDocument, toHaveTextContent, …) to Vitest's expect.
import '@testing-library/jest-dom/vitest';
