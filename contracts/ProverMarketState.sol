// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.28;

/// @title ProverMarketState
/// @notice The configuration, records, events and errors of ProverMarket, and the helpers the
/// market's rules share (price curve, priority reserve, closing a request).
abstract contract ProverMarketState {
    // ---------------------------------------------------------------- configuration

    struct Config {
        address owner;               // may resume a paused prover (besides the prover itself)
        address feeAccount;          // credited with the protocol fee
        uint16 feeBps;               // fee on each price payment
        uint16 slashBurnBps;         // burned share of slashed collateral
        uint64 withdrawalDelay;      // seconds from requestUnstake to withdrawable
        uint32 maxPendingUnstakes;   // per account
        uint96 minFulfillerStake;    // free stake needed to fulfil without a live lock
        uint96 minCollateral;        // floor on a request's collateral
        uint64 maxRequestLifetime;   // seconds, finalDeadline - submission time
        uint32 maxInputsBytes;       // inline inputs or a reference
        uint16 maxCapacity;          // declared concurrent locks per prover
        uint32 breakerFailures;      // consecutive failures that pause a prover (0: off)
        uint16[4] reserveBps;        // per class, while a higher class waits (class 0 must be 0)
    }

    address public immutable owner;
    address public immutable feeAccount;
    uint256 public immutable feeBps;
    uint256 public immutable slashBurnBps;
    uint256 public immutable withdrawalDelay;
    uint256 public immutable maxPendingUnstakes;
    uint256 public immutable minFulfillerStake;
    uint256 public immutable minCollateral;
    uint256 public immutable maxRequestLifetime;
    uint256 public immutable maxInputsBytes;
    uint256 public immutable maxCapacity;
    uint256 public immutable breakerFailures;
    uint256 internal immutable reserve1;
    uint256 internal immutable reserve2;
    uint256 internal immutable reserve3;

    uint256 internal constant BPS = 10_000;
    // Every amount is a part of the funds the contract holds, and deposits keep those below
    // 2^96 (the ETH supply is ~2^87): amounts fit uint96 and sums of parts cannot overflow.
    uint256 internal constant MAX_FUNDS = type(uint96).max;

    // ---------------------------------------------------------------- state

    // Slot per account: free balance and the pending-unstake queue.
    struct Funds {
        uint96 balance;
        uint96 pending;  // sum of the queue
        uint32 head;     // first pending entry
        uint32 tail;     // one past the last
    }

    // Slot per prover (stake is per account; provers are registered accounts).
    struct Prover {
        uint96 stake;        // free stake: collateral for new locks
        uint96 locked;       // collateral of live locks
        uint16 activeLocks;
        uint16 capacity;
        uint24 failures;     // consecutive missed locks (saturating)
        uint8 flags;         // REGISTERED | PAUSED
    }

    uint8 internal constant REGISTERED = 1;
    uint8 internal constant PAUSED = 2;

    struct Circuit {
        address verifier;
        uint32 publicInputCount;  // prover address included
        uint32 index;             // 1-based, what requests store
    }

    // Stored status: NONE or OPEN. "Locked" is not stored (an open request with a holder is
    // locked), nor is "closed": a closed request keeps only its binding hash (a tombstone, see
    // _close), so its id can never be reused. Views return NONE, OPEN, LOCKED or CLOSED.
    uint8 internal constant NONE = 0;
    uint8 internal constant OPEN = 1;
    uint8 internal constant LOCKED = 2;
    uint8 internal constant CLOSED = 3;

    // Four slots; times fit uint40 because every deadline is within maxRequestLifetime
    // (< 2^32 s) of a block timestamp.
    struct Request {
        uint96 minPrice;
        uint96 maxPrice;  // the escrow while open
        uint40 rampStart;
        uint8 priority;
        uint8 status;
        // ---
        uint96 collateral;
        uint40 rampPeriod;
        uint40 lockDeadline;
        uint40 finalDeadline;
        uint32 circuit;
        // ---
        bytes32 boundSignalsHash;
        // --- written by lock
        address holder;
        uint96 lockPrice;
    }

    // What a requester submits. Times in seconds. The id is (requester << 96 | key): the key is
    // the requester's idempotency key, so a retry finds the same request.
    struct RequestTerms {
        uint96 key;
        bytes32 circuitId;
        bytes32 boundSignalsHash;  // keccak256(abi.encode(uint32[] indices, uint256[] values))
        uint8 priority;            // 0 liquidation, 1 margin, 2 pricing, 3 batch
        uint96 minPrice;
        uint96 maxPrice;
        uint64 rampStart;
        uint64 rampPeriod;
        uint64 lockDeadline;
        uint64 finalDeadline;
        uint96 collateral;
        string inputs;             // inline inputs or a reference; emitted, not stored
    }

    struct RequestView {
        uint8 status;
        uint8 priority;
        address requester;
        bytes32 circuitId;
        bytes32 boundSignalsHash;
        uint256 minPrice;
        uint256 maxPrice;
        uint256 rampStart;
        uint256 rampPeriod;
        uint256 lockDeadline;
        uint256 finalDeadline;
        uint256 collateral;
        address holder;
        uint256 lockPrice;
        uint256 escrow;
    }

    mapping(address => Funds) internal funds_;
    mapping(address => Prover) internal provers_;
    mapping(address => mapping(uint256 => uint256)) internal pendingQueue_;  // amount | unlockAt << 96
    mapping(bytes32 => Circuit) internal circuits_;
    mapping(uint256 => Circuit) internal circuitByIndex_;
    mapping(uint256 => bytes32) internal circuitIdByIndex_;
    mapping(uint256 => Request) internal requests_;
    uint64[4] internal waiting_;  // open never-locked requests per class (one slot)
    uint32 internal circuitCount_;
    uint256 public burned;       // slashed and destroyed; stays in the contract

    // ---------------------------------------------------------------- events

    event Deposited(address indexed account, uint256 amount);
    event Withdrawn(address indexed account, uint256 amount);
    event Staked(address indexed account, uint256 amount);
    event UnstakeRequested(address indexed account, uint256 amount, uint256 unlockAt);
    event UnstakeCompleted(address indexed account, uint256 amount);
    event ProverRegistered(address indexed prover, uint256 capacity);
    event ProverPaused(address indexed prover, uint256 consecutiveFailures);
    event ProverResumed(address indexed prover);
    event CircuitRegistered(bytes32 indexed circuitId, address verifier, uint256 publicInputCount);
    event RequestSubmitted(
        uint256 indexed requestId, address indexed requester, bytes32 indexed circuitId, uint8 priority,
        uint256 escrow, bytes32 inputsHash, string inputs
    );
    event RequestCancelled(uint256 indexed requestId, address indexed requester, uint256 refund);
    event RequestLocked(uint256 indexed requestId, address indexed prover, uint256 price, uint256 collateral);
    // reason: 0 missed (the only on-chain reason: an invalid proof reverts).
    event ProverSlashed(
        uint256 indexed requestId, address indexed prover, uint8 reason, uint256 collateral, uint256 burned,
        uint256 bounty, address bountyTo
    );
    event RequestFulfilled(
        uint256 indexed requestId, address indexed prover, uint256 price, uint256 fee, uint256 bounty,
        uint256 refund, uint256 collateralReturned, bool secondary
    );
    event RequestExpired(uint256 indexed requestId, address indexed requester, uint256 refund, uint256 bounty);
    // fulfillBatch only: an item that did not settle (reason: see the Skip* constants).
    event FulfilmentSkipped(uint256 indexed requestId, address indexed prover, uint8 reason);
    // fulfillBatch only: the settled items, three words each, in the batch's order: requestId,
    // price | fee << 96 | secondary << 255, refund | amount << 96 (amount: the bounty when
    // secondary, else the collateral returned). Each is the RequestFulfilled the single
    // fulfilment would emit, packed: one log per batch instead of one per request.
    event BatchFulfilled(address indexed prover, uint256[] settlements);

    // ---------------------------------------------------------------- errors

    error InvalidConfig(uint8 field);
    error InvalidAmount();
    error FundsLimitExceeded();
    error TransferFailed();
    error InsufficientBalance(uint256 available, uint256 needed);
    error InsufficientStake(uint256 available, uint256 needed);
    error TooManyPendingUnstakes();
    error NothingToWithdraw();
    error WithdrawalNotReady(uint256 unlockAt);
    error InvalidCapacity();
    error NotRegistered(address prover);
    error NotPaused();
    error NotAuthorized();
    error ProverIsPaused();
    error CircuitExists(bytes32 circuitId);
    error UnknownCircuit(bytes32 circuitId);
    error InvalidCircuit();
    // field: 0 maxPrice, 1 minPrice, 2 lockDeadline, 3 finalDeadline, 4 lifetime, 5 ramp,
    // 6 collateral, 7 priority, 8 inputs, 9 boundSignalsHash (zero)
    error InvalidRequest(uint8 field);
    // field: 0 circuitId, 1 boundSignalsHash, 2 priority, 3 minPrice, 4 maxPrice, 5 rampStart,
    // 6 rampPeriod, 7 lockDeadline, 8 finalDeadline, 9 collateral
    error IdempotencyConflict(uint256 requestId, uint8 field);
    error UnknownRequest(uint256 requestId);
    error NotRequester();
    error RequestClosed(uint256 requestId);
    error AlreadyLocked(address holder);
    error LockDeadlinePassed();
    error FinalDeadlinePassed();
    error CapacityExceeded();
    error ClassLimitReached(uint256 limit);
    error NotLockHolder(address holder);
    error WrongCircuit();
    error PublicSignalCount(uint256 expected, uint256 given);
    error ProofWordCount(uint256 expected, uint256 given);
    error BoundSignalsMismatch();
    error VerifierOutOfGas();

    // FulfilmentSkipped reasons.
    uint8 internal constant SKIP_INVALID_PROOF = 1;
    uint8 internal constant SKIP_UNKNOWN_REQUEST = 2;
    uint8 internal constant SKIP_CLOSED = 3;
    uint8 internal constant SKIP_FINAL_DEADLINE = 4;
    uint8 internal constant SKIP_NOT_HOLDER = 5;
    uint8 internal constant SKIP_STAKE = 6;
    uint8 internal constant SKIP_WRONG_CIRCUIT = 7;
    uint8 internal constant SKIP_SIGNAL_COUNT = 8;   // fulfill only (a batch has the circuit's count)
    uint8 internal constant SKIP_BOUND_SIGNALS = 9;

    constructor(Config memory c) {
        if (c.feeBps > BPS) revert InvalidConfig(0);
        if (c.slashBurnBps > BPS) revert InvalidConfig(1);
        if (c.feeAccount == address(0)) revert InvalidConfig(2);
        if (c.maxRequestLifetime == 0 || c.maxRequestLifetime > type(uint32).max) revert InvalidConfig(3);
        if (c.reserveBps[0] != 0 || c.reserveBps[1] > BPS || c.reserveBps[2] > BPS || c.reserveBps[3] > BPS) {
            revert InvalidConfig(4);
        }
        if (c.withdrawalDelay > type(uint32).max) revert InvalidConfig(5);
        if (c.maxPendingUnstakes == 0) revert InvalidConfig(6);
        if (c.breakerFailures > type(uint24).max) revert InvalidConfig(7);
        owner = c.owner;
        feeAccount = c.feeAccount;
        feeBps = c.feeBps;
        slashBurnBps = c.slashBurnBps;
        withdrawalDelay = c.withdrawalDelay;
        maxPendingUnstakes = c.maxPendingUnstakes;
        minFulfillerStake = c.minFulfillerStake;
        minCollateral = c.minCollateral;
        maxRequestLifetime = c.maxRequestLifetime;
        maxInputsBytes = c.maxInputsBytes;
        maxCapacity = c.maxCapacity;
        breakerFailures = c.breakerFailures;
        reserve1 = c.reserveBps[1];
        reserve2 = c.reserveBps[2];
        reserve3 = c.reserveBps[3];
    }

    function _revertNotOpen(Request storage r, uint256 id) internal view {
        if (r.boundSignalsHash != 0) revert RequestClosed(id);
        revert UnknownRequest(id);
    }

    // The reverse-Dutch price at time t, rounded down (docs/market.md, "Auction").
    function _price(uint256 minPrice, uint256 maxPrice, uint256 rampStart, uint256 rampPeriod, uint256 t)
        internal
        pure
        returns (uint256)
    {
        if (t <= rampStart || maxPrice <= minPrice) return minPrice;
        unchecked {
            uint256 elapsed = t - rampStart;
            if (elapsed >= rampPeriod) return maxPrice;
            // (max - min) < 2^96 and elapsed < 2^40: no overflow.
            return minPrice + (maxPrice - minPrice) * elapsed / rampPeriod;
        }
    }

    // Live locks below which the prover may lock class `cls` now: the whole capacity, less the
    // reserve for higher classes while one of them waits.
    function _lockLimit(uint256 capacity, uint256 cls) internal view returns (uint256) {
        if (cls == 0) return capacity;
        uint64[4] memory w = waiting_;
        bool higherWaiting = w[0] > 0 || (cls > 1 && w[1] > 0) || (cls > 2 && w[2] > 0);
        if (!higherWaiting) return capacity;
        uint256 bps = cls == 1 ? reserve1 : cls == 2 ? reserve2 : reserve3;
        return capacity - capacity * bps / BPS;
    }

    // Closes a request: everything but the binding hash is deleted (the events keep it), for the
    // storage refund. The nonzero hash is the tombstone: the id is taken forever, and a retry of
    // the submission with the same binding finds it.
    function _close(Request storage r) internal {
        assembly {
            let slot := r.slot
            sstore(slot, 0)
            sstore(add(slot, 1), 0)
            sstore(add(slot, 3), 0)
        }
    }
}
