"""The team's pages: reports, ratings (the customer's link), team health and the wall."""
