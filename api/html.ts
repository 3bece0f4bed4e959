/** Text as it may stand in HTML, in an element or an attribute's quotes: campaign names, agents, messages are user input. */
export const escapeHtml = (s: string): string => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
