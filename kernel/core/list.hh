// list.hh — intrusive doubly-linked lists.
//
// An object joins a list through a `list_links` member it owns, so linking
// never allocates. Easy to get wrong: an object can be on at most one list
// per `list_links` member, and must be unlinked before it is freed
// (the destructor asserts it).
#pragma once
#include <stdint.h>
#include "assert.hh"

struct list_links {
    list_links* prev_ = nullptr;
    list_links* next_ = nullptr;

    constexpr list_links() = default;
    list_links(const list_links&) = delete;
    list_links& operator=(const list_links&) = delete;
    ~list_links() { assert(!is_linked(), "freeing an object still on a list"); }
    bool is_linked() const { return next_ != nullptr; }
};

// An all-zero list is a valid empty list (so lists inside zero-filled
// static objects, like the per-CPU run queues, need no constructor); the
// head becomes circular on first use.
template <typename T, list_links T::*links>
class list {
public:
    constexpr list() = default;
    list(const list&) = delete;
    list& operator=(const list&) = delete;
    ~list() { assert(empty()); head_.prev_ = head_.next_ = nullptr; }

    bool empty() const { return !head_.next_ || head_.next_ == &head_; }
    T* front() const { return empty() ? nullptr : owner(head_.next_); }

    void push_back(T* x) {
        list_links* l = &(x->*links);
        assert(!l->is_linked());
        if (!head_.next_) {
            head_.prev_ = head_.next_ = &head_;
        }
        l->prev_ = head_.prev_;
        l->next_ = &head_;
        head_.prev_->next_ = l;
        head_.prev_ = l;
    }
    void push_front(T* x) {
        list_links* l = &(x->*links);
        assert(!l->is_linked());
        if (!head_.next_) {
            head_.prev_ = head_.next_ = &head_;
        }
        l->next_ = head_.next_;
        l->prev_ = &head_;
        head_.next_->prev_ = l;
        head_.next_ = l;
    }
    static void erase(T* x) {
        list_links* l = &(x->*links);
        assert(l->is_linked());
        l->prev_->next_ = l->next_;
        l->next_->prev_ = l->prev_;
        l->prev_ = l->next_ = nullptr;
    }
    T* pop_front() {
        T* x = front();
        if (x) {
            erase(x);
        }
        return x;
    }
    // Iterate: for (T* x = l.front(); x; x = l.next(x))
    T* next(T* x) const {
        list_links* n = (x->*links).next_;
        return n == &head_ ? nullptr : owner(n);
    }

private:
    list_links head_;

    static T* owner(list_links* l) {
        // Offset of the member within T, computed on storage shaped like a
        // T (no object is created; the compiler folds this to a constant).
        alignas(T) static char shape[sizeof(T)];
        auto* fake = reinterpret_cast<T*>(shape);
        auto offset = reinterpret_cast<uintptr_t>(&(fake->*links)) - reinterpret_cast<uintptr_t>(shape);
        return reinterpret_cast<T*>(reinterpret_cast<uintptr_t>(l) - offset);
    }
};
