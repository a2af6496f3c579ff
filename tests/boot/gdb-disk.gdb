# Run by gdb-disk.test: stop in the disk interrupt and read the driver's
# state the way docs/disk.md says.
hbreak ahci_disk::handle_interrupt
continue
p ahci_root->model_
p ahci_root->nblocks_
p/x ahci_root->issued_
p/x ahci_root->port_regs_[0x20/4]
p ahci_root->cmd_list_[0]
x/4bx ahci_root->tables_[0].cfis
delete
detach
