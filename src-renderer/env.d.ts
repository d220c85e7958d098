// Vite's client types (CSS and asset imports, import.meta.env); they bring no Node types.
/// <reference types="vite/client" />
