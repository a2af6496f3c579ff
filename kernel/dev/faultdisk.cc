// faultdisk.cc — the write-dropping block device (see faultdisk.hh).
//
// The budget is decremented per block with compare-and-swap, so writes
// racing on several CPUs still pass exactly N blocks in total.
#include "faultdisk.hh"
#include "abi/errno.hh"
#include "cmdline.hh"
#include "log.hh"

faultdisk::faultdisk(blockdev* inner, long budget)
    : inner_(inner), budget_(budget) {
    name_ = "faultdisk";
    nblocks_ = inner->nblocks_;
}

int faultdisk::read(uint64_t bn, size_t count, void* buf) {
    return inner_->read(bn, count, buf);
}

int faultdisk::write(uint64_t bn, size_t count, const void* buf) {
    if (count == 0 || bn >= nblocks_ || count > nblocks_ - bn) {
        return E_INVAL;
    }
    // Take as many blocks of budget as this write needs (or what is left).
    size_t allowed = count;
    long b = budget_.load();
    while (b >= 0) {
        long take = long(count) < b ? long(count) : b;
        if (budget_.compare_exchange_weak(b, b - take)) {
            allowed = size_t(take);
            break;
        }
    }
    int r = 0;
    if (allowed) {
        r = inner_->write(bn, allowed, buf);
        passed_ += long(allowed);
    }
    if (allowed < count) {
        if (dropped_.fetch_add(long(count - allowed)) == 0) {
            log_printf(log_level::warn, "faultdisk: write budget spent at block %lu: "
                       "dropping every write from now on\n", (unsigned long) (bn + allowed));
        }
    }
    return r;
}

int faultdisk::flush() {
    log_printf(log_level::debug, "faultdisk: %ld block writes passed, %ld dropped\n",
               passed_.load(), dropped_.load());
    return failed() ? 0 : inner_->flush();
}

blockdev* faultdisk_from_cmdline(blockdev* dev) {
    long n = cmdline_number("diskfail", -1);
    if (!dev || n < 0) {
        return dev;
    }
    auto* fd = new faultdisk(dev, n);
    if (!fd) {
        log_printf(log_level::error, "faultdisk: no memory; diskfail=%ld ignored\n", n);
        return dev;
    }
    log_printf(log_level::info, "faultdisk: %s passes %ld block writes, then drops the rest\n",
               dev->name_, n);
    return fd;
}
