"""Hazardous chemicals: catalogue, licences, units and inventories, flows, transport,
and GB 18218-2018 major hazard identification."""
