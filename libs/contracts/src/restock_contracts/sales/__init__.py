"""Sales context: sales order lines, invoice lines and credit-note lines."""
