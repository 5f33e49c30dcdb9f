"""Emergency resources: materials and stock, warehouses, teams, experts, shelters, fire stations."""
