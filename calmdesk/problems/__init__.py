"""Problems (F9, F10): product problems with the customers they hurt, one answer for all
of them when fixed, and the product report pushed to an issue tracker."""
