/** Where browsers send Content-Security-Policy violation reports (lib/http/csp-report.ts). */
export const CSP_REPORT_PATH = '/csp-report';
/** The Reporting API endpoint name the CSP's `report-to` names (the Reporting-Endpoints header). */
export const CSP_REPORT_GROUP = 'csp-endpoint';
